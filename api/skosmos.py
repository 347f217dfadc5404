"""Placeholder router; filled in by its owner."""

from __future__ import annotations

from fastapi import APIRouter

from kg.glossary import Glossary


def router(glossary: Glossary) -> APIRouter:
    return APIRouter()
