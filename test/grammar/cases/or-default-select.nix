let
  s = { a.b = 1; };
in
[
  (s.a.b or 0)
  (s.x or s.a.b or null)
  (s.a.${"b"} or 2)
  s.a.b or 3
]
