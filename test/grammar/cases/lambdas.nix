[
  (x: y: x)
  (x: x)
  ({ }: 1)
  ({ ... }: 1)
  ({ a, b ? 2, ... }: a + b)
  ({ a ? 1, ... }@args: args)
  (args@{ ... }: args)
  (args @ { a, b }: a)
  ({ f ? x: x, g ? { }, }: f g)
  ({ a, }@args: a)
]
