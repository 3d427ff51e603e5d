s: [
  (s ? a)
  (s ? a.b.c)
  (s ? "quoted")
  (s ? ${"dyn"})
  (s ? a && !(s ? b))
  (!s ? a)
]
