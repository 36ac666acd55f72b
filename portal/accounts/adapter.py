from allauth.account.adapter import DefaultAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    """
    Sign-up is closed: accounts exist only for people the secretariat invites (the invitation flow
    creates them itself), so allauth's sign-up views refuse every request.
    """

    def is_open_for_signup(self, request):
        return False
