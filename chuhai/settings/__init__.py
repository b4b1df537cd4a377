"""Settings: ``base`` holds everything, ``production`` (the default) refuses unsafe configurations,
``development`` turns DEBUG on, ``test`` is what pytest uses."""
