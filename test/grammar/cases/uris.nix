[
  https://example.org/a/b?c=d&e=f
  http://example.com:8080/x
  mirror://gnu/hello/hello-2.12.tar.gz
  git+ssh://git@example.org/repo.git
  urn:isbn:0451450523
]
