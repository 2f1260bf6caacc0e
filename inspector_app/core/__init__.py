"""The core: domain, rules, persistence. Nothing below this package imports Qt."""
