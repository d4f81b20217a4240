"""Classroom: exercises, their links, checking and worked explanations."""
