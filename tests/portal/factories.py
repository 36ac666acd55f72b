import factory

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from portal.access import MEMBERS_GROUP, SECRETARIAT_GROUP

PASSWORD = "correct horse battery staple"
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # the factory secretariat's authenticator


class UserFactory(factory.django.DjangoModelFactory):
    """A user with a verified email address (allauth requires one to sign in)."""

    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    class Params:
        member = factory.Trait(groups_=[MEMBERS_GROUP])
        # The secretariat must have a second factor to use the admin; give them one.
        secretariat = factory.Trait(groups_=[SECRETARIAT_GROUP], is_staff=True, totp_=True)

    groups_ = ()
    totp_ = False

    @classmethod
    def _create(cls, model_class, *args, groups_=(), totp_=False, **kwargs):
        user = super()._create(model_class, *args, **kwargs)
        user.groups.add(*[Group.objects.get(name=name) for name in groups_])
        if totp_:
            from allauth.mfa.totp.internal.auth import TOTP

            TOTP.activate(user, TOTP_SECRET)
        return user

    @factory.post_generation
    def verified_email(self, create, extracted, **kwargs):
        if not create:
            return
        from allauth.account.models import EmailAddress

        EmailAddress.objects.create(
            user=self, email=self.email, primary=True, verified=extracted is not False
        )
        self.save()
