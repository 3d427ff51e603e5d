{
  plain = "tab\there\nnewline \"quoted\" back\\slash";
  dollarEscaped = "cost: \${price}";
  doubleDollar = "make $${VAR} and $$HOME";
  loneDollar = "ends with $";
  dollarBeforeQuote = "a$\"b";
  escapedNewline = "one\
two";
}
