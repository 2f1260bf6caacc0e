"""The supervisor's side: the agency's records imported from the server or batch files
(read-only), the decisions made on them, and the figures and lists built from them."""
