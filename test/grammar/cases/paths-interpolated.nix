name: [
  ./a/${name}
  ./a/${name}.nix
  ./${name}
  /abs/${name}/sub
  ~/x/${name}
  ./pre${name}
]
