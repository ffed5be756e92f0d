"""The floor under every app: what they all use and none of them owns.

Nothing here imports an app of keyholder (import-linter holds it to that; see
docs/architecture.md): errors and their catalogue, pagination, the answer to an idempotent
create, months and dates, the stamped model base, database helpers, the after-commit effects
and periodic jobs that apps register with, and the helpers that turn a refusal into a page's
form error.
"""
