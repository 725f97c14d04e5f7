"""Local AWS (moto): what the demo and the tests need to run Cutover without an account."""
