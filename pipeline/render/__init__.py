"""Render: the Pelican build of the site, confined, incremental and split over two cores."""
