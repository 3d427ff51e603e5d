{ a, or }: a
