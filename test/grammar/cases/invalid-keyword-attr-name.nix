{ inherit = 1; }
