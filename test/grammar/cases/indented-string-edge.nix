{
  empty = '''';
  oneLine = ''x'';
  quoteAtEnd = '' it'''' '';
  dollarAtEnd = '' cost $'';
  nested = '' outer ${'' inner ${"deep"} ''} done '';
}
