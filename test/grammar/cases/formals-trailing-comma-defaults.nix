{
  a ? { },
  b ? [ ],
  c ? "s",
  d ? x: x,
  e ? (1),
  f ? '''',
  g ? ./p,
  h ? <n>,
  i ? 1.5,
  j ? ~/x,
  k ? { }.z or 1,
  l ? [ http://example.org ], # a bare URI would swallow the comma
  m ? let in 1,
  n ? { o, }: o, # nested formals with their own trailing comma
  /* last */
}@args: args
