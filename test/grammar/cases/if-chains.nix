x:
if x == 1 then "one"
else if x == 2 then "two"
else if x > 100 then (if x > 1000 then "huge" else "big")
else "other"
