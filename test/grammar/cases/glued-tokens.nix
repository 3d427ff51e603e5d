[
  (if true then 1else 2)
  (let a=1;in{b=a;})
  rec{a=1;}
  (with{};1)
  (1-1)
  (x:x)
  (if(true)then(1)else(2))
  ({}.a or(1))
  ({a?1}:a)
]
