"""Knowledge base: versioned articles, BM25 search, votes, suggestions, deflection."""
