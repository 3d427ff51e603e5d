{ "inherit" = 1; "if" = 2; "let" = 3; }."inherit" or 0
