let a = 1; inherit a; in a
