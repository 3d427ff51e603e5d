s: s ? a or b
