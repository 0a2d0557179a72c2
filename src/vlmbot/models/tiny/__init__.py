"""vlmbot-tiny: the embedded vision-language model, trained in vlmbot's simulator."""
