"""boto3 adapters: the only code of the shifter that calls AWS."""
