a: [a//a]
