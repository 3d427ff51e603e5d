let
  /* in the let */ a = /* value */ 1; # trailing
  b = [ /* first */ 1 # line
    2 /* last */ ];
  # right before in
  /* block before in */
in /**/ a /***/ + b # end without newline