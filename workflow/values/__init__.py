"""Values as people write them: names, amounts in 元, dates. Ground: imported by forms, reports and every floor."""
