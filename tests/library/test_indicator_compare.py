"""
Comparing two indicator lists: added, dropped, reworded (with a word-level difference) and moved,
on plain rows (heading, indicator id, text, origin id), as a country version and its regional set
or two versions of a set hand them over.
"""

from library.indicator_compare import Row, compare, tokens, word_diff

REGIONAL = [
    Row("Deception", 1, "The person was promised a job that did not exist.", None),
    Row("Deception", 2, "The person does not know their home or work address.", None),
    Row("Coercion", 3, "Identity documents are held by someone else.", None),
    Row("Coercion", 4, "The person is threatened with violence.", None),
    Row("Conditions", 5, "The person works excessively long hours.", None),
]


def spelled(segments, *kinds):
    return "".join(segment.text for segment in segments if segment.kind in kinds)


def test_word_diff_spells_both_texts_and_marks_only_the_changed_words():
    old = "The person was promised a job that did not exist."
    new = "The person was promised a well-paid job abroad that did not exist."
    segments = word_diff(old, new)
    assert spelled(segments, "same", "removed") == old
    assert spelled(segments, "same", "added") == new
    assert [s.text for s in segments if s.kind == "added"] == ["well-paid ", " abroad"]
    assert not [s for s in segments if s.kind == "removed"]


def test_word_diff_replaces_a_whole_word_not_letters_and_reads_any_script():
    segments = word_diff("Лицето е заплашено.", "Лицето е изнудвано.")
    assert [(s.kind, s.text) for s in segments if s.kind != "same"] == [
        ("removed", "заплашено"),
        ("added", "изнудвано"),
    ]


def test_tokens_join_back_into_the_text():
    text = '  Child\'s papers — held; by "the employer"!\n'
    assert "".join(tokens(text)) == text


def test_identical_lists_have_no_change():
    result = compare(REGIONAL, list(REGIONAL))
    assert result.identical
    assert result.counts == {"added": 0, "dropped": 0, "reworded": 0, "moved": 0, "unchanged": 5}


def test_a_country_version_adds_drops_rewords_and_moves_against_its_regional_set():
    country = [
        # Reworded (its own record, deriving from regional 1).
        Row("Deception", 11, "The person was promised a job abroad that did not exist.", 1),
        Row("Coercion", 13, "Identity documents are held by someone else.", 3),
        # Moved to another heading.
        Row("Coercion", 12, "The person does not know their home or work address.", 2),
        Row("Conditions", 15, "The person works excessively long hours.", 5),
        # Added: derives from nothing.
        Row("Conditions", 16, "The person has no access to their earnings.", None),
        # Regional 4 ("threatened with violence") is dropped.
    ]
    result = compare(REGIONAL, country)
    assert [c.after.indicator_id for c in result.added] == [16]
    assert [c.before.indicator_id for c in result.dropped] == [4]
    assert [(c.before.indicator_id, c.after.indicator_id) for c in result.reworded] == [(1, 11)]
    assert spelled(result.reworded[0].difference, "added") == "abroad "
    assert [(c.before.indicator_id, c.after.indicator_id) for c in result.moved] == [(2, 12)]
    assert result.moved[0].heading_changed
    assert [c.before.indicator_id for c in result.unchanged] == [3, 5]
    # The rows walk the country list, with the dropped one after the row it followed.
    walk = [
        (c.before and c.before.indicator_id, c.after and c.after.indicator_id) for c in result.rows
    ]
    assert walk == [(1, 11), (3, 13), (4, None), (2, 12), (5, 15), (None, 16)]


def test_compared_the_other_way_round_the_additions_are_drops():
    country = [Row("Deception", 11, "The person was promised a job abroad.", 1)]
    result = compare(country, REGIONAL[:2])
    assert [c.after.indicator_id for c in result.added] == [2]
    assert [(c.before.indicator_id, c.after.indicator_id) for c in result.reworded] == [(11, 1)]
    assert not result.dropped


def test_an_indicator_out_of_order_under_the_same_heading_is_moved_and_only_it():
    reordered = [REGIONAL[1], REGIONAL[0], *REGIONAL[2:]]
    result = compare(REGIONAL, reordered)
    assert len(result.moved) == 1
    assert not result.moved[0].heading_changed
    assert not (result.added or result.dropped or result.reworded)


def test_two_versions_keeping_the_same_records_match_by_id_and_new_records_by_wording():
    version_two = [
        REGIONAL[0],
        # Re-imported as a new record with the same words (spacing and case aside).
        Row("Deception", 22, "the person does not know  their home or work address.", None),
        Row("Coercion", 23, "Debt bondage.", None),
    ]
    result = compare(REGIONAL, version_two)
    assert [c.after.indicator_id for c in result.unchanged] == [1, 22]
    assert [c.after.indicator_id for c in result.added] == [23]
    assert [c.before.indicator_id for c in result.dropped] == [3, 4, 5]


def test_two_country_versions_of_one_regional_set_match_through_their_common_origin():
    first = [Row("A", 11, "Held documents.", 3), Row("A", 12, "Long hours.", 5)]
    second = [Row("A", 21, "Long working hours.", 5), Row("A", 22, "Held documents.", 3)]
    result = compare(first, second)
    assert [(c.before.indicator_id, c.after.indicator_id) for c in result.reworded] == [(12, 21)]
    assert len(result.moved) == 1
    assert not (result.added or result.dropped)


def test_empty_sides():
    assert compare([], []).identical
    assert len(compare([], REGIONAL).added) == 5
    assert len(compare(REGIONAL, []).dropped) == 5
