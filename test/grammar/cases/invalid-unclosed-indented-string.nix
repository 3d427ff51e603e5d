{ a = ''
  abc
; }
