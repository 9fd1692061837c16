"""Financial instruments from ESMA FIRDS and FITRS, with FIGIs from OpenFIGI."""
