"""The server side of the offline field app: a scoped download (pull) and a batch upload (push).

See docs/sync.md for the contract.
"""
