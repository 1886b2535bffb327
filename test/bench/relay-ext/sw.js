// Only here so the bench can find the extension id.
