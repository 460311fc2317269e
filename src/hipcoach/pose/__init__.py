"""Pose estimation, video reading and landmark files."""
