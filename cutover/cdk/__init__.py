"""CDK constructs and stacks of Cutover, one construct per concern."""
