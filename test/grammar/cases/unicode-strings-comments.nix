# Kommentar mit Umlauten: äöü ✓ 日本語
{
  /* ünïcödé in a block comment — ✓ */
  name = "naïve café ☕ 🚀";
  multi = ''
    λx. x → ∀
  '';
}
