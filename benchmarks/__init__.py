"""
The benchmarks (`manage.py bench`): tooling, not part of the portal that serves. An app without
models, installed by the development and test settings only (production does not carry it).

- `site.py`: the site's part (`--only portal`): public pages, then the admin pages
  (`admin_pages.py`), the referral assistant (`referral.py`), the indicator pages
  (`indicators.py`) and the follow-up pages (`followup.py`), HTTP throughput, memory, the search
  rebuild and text extraction, in a throwaway database seeded by `seed_demo`;
- `search.py`: the search part (`--only search`): ranking quality on the NPL collection and
  latency as the index grows, then the network's own collection (`search_network.py`, with
  `data/network_collection.json`), with the ranking measures of both in `ranking.py`;
- `measure.py`: how the site's part measures a page (time, CPU, queries, size) and prints its
  line; `throwaway.py`: the throwaway database each part runs in.
"""
