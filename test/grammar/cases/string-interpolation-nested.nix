let
  who = "world";
  greet = x: "hello ${x}";
in
"${greet "outer ${who} and ${"inner ${who}"}"}!"
