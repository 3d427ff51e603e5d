let in let a = 1; in let b = a; c = b; in c
