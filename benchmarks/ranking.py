"""
The ranking measures of the search benchmarks: over the NPL collection's judgements (search.py: a
set of relevant ids per query) and the network's own graded ones (search_network.py: {id: grade},
grade 0 for not relevant).
"""

import math


def _gains(judgements):
    """{id: gain} of a set of relevant ids (gain 1 each) or of graded judgements."""
    if isinstance(judgements, dict):
        return {doc: grade for doc, grade in judgements.items() if grade > 0}
    return dict.fromkeys(judgements, 1)


def average_precision(ranked, judgements, depth=100):
    """AP@depth of the `ranked` ids: every judged id relevant, whatever its grade."""
    relevant = _gains(judgements)
    hits, total = 0, 0.0
    for rank, doc in enumerate(ranked[:depth], 1):
        if doc in relevant:
            hits += 1
            total += hits / rank
    return total / min(len(relevant), depth) if relevant else 0.0


def ndcg(ranked, judgements, depth=10):
    """nDCG@depth of the `ranked` ids, with the grades (1 for a set's ids) as gains."""
    gains = _gains(judgements)
    dcg = sum(gains.get(doc, 0) / math.log2(rank + 1) for rank, doc in enumerate(ranked[:depth], 1))
    ideal_grades = sorted(gains.values(), reverse=True)[:depth]
    ideal = sum(grade / math.log2(rank + 1) for rank, grade in enumerate(ideal_grades, 1))
    return dcg / ideal if ideal else 0.0
