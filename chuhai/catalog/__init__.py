"""Products, bundles/kits and channel listings that map a platform's SKU to ours."""
