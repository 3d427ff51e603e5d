x: { inherit (x) if; }
