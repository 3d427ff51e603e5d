''
  keep ''${notInterpolated} and ''\${alsoNot}
  two quotes: '''
  escaped newline ''\n and tab ''\t
  a single ' quote and it's fine
  dollars $$ and $${literal}
  trailing dollar $
  real ${toString 1} interpolation
''
