f: g: f g (g f) f.x "s" [ 1 ] { } ./p
