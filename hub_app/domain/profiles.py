"""What a member tells about themselves: fields, their limits and the choices offered."""

SECTORS = (
    "culinary", "fashion", "craft", "agriculture", "technology", "education",
    "health", "creative", "services", "retail", "logistics", "other",
)
STAGES = ("idea", "early", "growth", "established")

LIMITS = {
    "name": 100,
    "business_name": 120,
    "bio": 1000,
    "offers": 500,
    "looking_for": 500,
}
