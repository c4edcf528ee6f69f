"""One module per feature. Public functions take the acting user and a DB session (keyword-only),
check permission, validate input, run one transaction and return plain data."""
