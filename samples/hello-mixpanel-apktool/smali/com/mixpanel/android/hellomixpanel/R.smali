.class public final Lcom/mixpanel/android/hellomixpanel/R;
.super Ljava/lang/Object;
.source "R.java"


# annotations
.annotation system Ldalvik/annotation/MemberClasses;
    value = {
        Lcom/mixpanel/android/hellomixpanel/R$attr;,
        Lcom/mixpanel/android/hellomixpanel/R$drawable;,
        Lcom/mixpanel/android/hellomixpanel/R$id;,
        Lcom/mixpanel/android/hellomixpanel/R$layout;,
        Lcom/mixpanel/android/hellomixpanel/R$string;
    }
.end annotation


# direct methods
.method public constructor <init>()V
    .locals 0

    .prologue
    .line 10
    invoke-direct {p0}, Ljava/lang/Object;-><init>()V

    return-void
.end method
