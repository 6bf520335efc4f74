"""How well entity resolution links mentions, against known truth.

Pairwise: two mentions form a pair when they are linked to one entity. Precision is the
share of predicted pairs that are true pairs; recall the share of true pairs that were
predicted. Counted from cluster sizes, so a company with 7,000 mentions costs no 49M-pair
loop.

Pairwise figures are carried by the few companies with thousands of mentions (a creditor
bank named in every deposit row): six banks can hold 98 % of the true pairs, so the
figures mostly say whether those few names were linked. :func:`resolution_scores` adds
the measures that see the rest: the share of mentions linked to their own registry
company, and the pairwise figures without the :data:`LARGEST_LEFT_OUT` largest companies.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from math import comb

LARGEST_LEFT_OUT = 10  # companies with the most mentions, left out of the second pairwise


@dataclass(frozen=True)
class ResolutionScores:
    """Entity resolution scored against the company behind each mention."""

    precision: float  # pairwise, over every company mention
    recall: float
    mentions: int  # company mentions scored
    right: int  # of those, linked to their own registry company (C-<its USCC>)
    precision_without_largest: float  # pairwise, without the LARGEST_LEFT_OUT largest
    recall_without_largest: float
    largest_mentions: int  # mentions of the companies left out

    @property
    def right_share(self) -> float:
        return self.right / self.mentions if self.mentions else 1.0


def pairwise(links: Iterable[tuple[str, str]]) -> tuple[float, float]:
    """(precision, recall) of (true entity, predicted entity) per mention."""
    both: Counter[tuple[str, str]] = Counter(links)
    truth: Counter[str] = Counter()
    predicted: Counter[str] = Counter()
    for (true, guess), count in both.items():
        truth[true] += count
        predicted[guess] += count
    agreed = sum(comb(n, 2) for n in both.values())
    predicted_pairs = sum(comb(n, 2) for n in predicted.values())
    true_pairs = sum(comb(n, 2) for n in truth.values())
    return (
        agreed / predicted_pairs if predicted_pairs else 1.0,
        agreed / true_pairs if true_pairs else 1.0,
    )


def resolution_scores(links: Iterable[tuple[str, str]]) -> ResolutionScores:
    """:class:`ResolutionScores` of (true company's USCC, predicted entity id) per company
    mention."""
    pairs = list(links)
    size = Counter(company for company, _entity in pairs)
    # Ties in size fall to the lower USCC, so the companies left out do not depend on order.
    ranked = sorted(size.items(), key=lambda item: (-item[1], item[0]))
    largest = {company for company, _n in ranked[:LARGEST_LEFT_OUT]}
    precision, recall = pairwise(pairs)
    rest_precision, rest_recall = pairwise(pair for pair in pairs if pair[0] not in largest)
    return ResolutionScores(
        precision=precision,
        recall=recall,
        mentions=len(pairs),
        right=sum(entity == f"C-{company}" for company, entity in pairs),
        precision_without_largest=rest_precision,
        recall_without_largest=rest_recall,
        largest_mentions=sum(size[company] for company in largest),
    )
