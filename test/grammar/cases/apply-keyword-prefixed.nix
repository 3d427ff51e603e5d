builtins.map (x: x.withPackages or x.inheritedStuff) [ ]
