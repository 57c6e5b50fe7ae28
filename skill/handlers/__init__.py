"""One handler class per Alexa request type or intent; each only translates between Alexa and the core."""
