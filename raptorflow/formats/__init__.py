"""Display formats overriding the locale's (FORMAT_MODULE_PATH): one date format everywhere."""
