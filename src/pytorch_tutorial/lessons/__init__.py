"""The lessons, one percent-format script each (``# %%`` cells): a script, a module and a notebook."""
